# Firestore (case state) and BigQuery (the audit trail), with retention from the policies.

resource "google_firestore_database" "default" {
  project                 = var.project_id
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy         = var.deletion_protection ? "ABANDON" : "DELETE"

  depends_on = [google_project_service.api]
}

# The composite indexes each service declares in its firestore.indexes.json.
resource "google_firestore_index" "index" {
  for_each = { for index in local.arbiter.firestore.indexes : index.id => index }

  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = each.value.collection
  query_scope = each.value.query_scope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.field_path
      order        = fields.value.order
      array_config = fields.value.array_config
    }
  }
}

# Retention: a TTL policy on expireAt in every collection whose documents carry it (written from the
# case's policy: privacy.retention.caseDays after the case opened). Firestore deletes expired
# documents within about a day of expiry.
resource "google_firestore_field" "ttl" {
  for_each = { for ttl in local.arbiter.firestore.ttl : "${ttl.collection}/${ttl.field}" => ttl }

  project    = var.project_id
  database   = google_firestore_database.default.name
  collection = each.value.collection
  field      = each.value.field

  ttl_config {}

  # expireAt is never queried: no single-field indexes for it.
  index_config {}
}

resource "google_bigquery_dataset" "audit" {
  project                    = var.project_id
  dataset_id                 = local.arbiter.bigquery.dataset_id
  location                   = var.bigquery_location
  description                = "Arbiter's audit trail and learning-loop examples (redacted), and the metric views analysts read."
  delete_contents_on_destroy = false

  depends_on = [google_project_service.api]
}

# Tables from schemas/bigquery/*.json: partitioned by day, clustered, partitions expiring after the
# longest privacy.retention.auditDays of any policy (a table is shared by every use case).
resource "google_bigquery_table" "table" {
  for_each = { for table in local.arbiter.bigquery.tables : table.table_id => table }

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = each.value.schema
  clustering          = length(each.value.clustering) > 0 ? each.value.clustering : null
  deletion_protection = var.deletion_protection

  dynamic "time_partitioning" {
    for_each = each.value.partitioning_type == null ? [] : [each.value]
    content {
      type          = time_partitioning.value.partitioning_type
      field         = time_partitioning.value.partitioning_field
      expiration_ms = tonumber(time_partitioning.value.partition_expiration_ms)
    }
  }
}

# Views from schemas/bigquery/views/*.sql, by level: a view of level n reads tables and views of
# lower levels only (the generator computes the levels and fails beyond what is declared here).
locals {
  views = {
    for view in local.arbiter.bigquery.views : view.view_id => merge(view, {
      query = replace(replace(view.query_template, "{{project}}", var.project_id), "{{dataset}}", local.arbiter.bigquery.dataset_id)
    })
  }
}

resource "google_bigquery_table" "view_level_0" {
  for_each = { for id, view in local.views : id => view if view.level == 0 }

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.table]
}

resource "google_bigquery_table" "view_level_1" {
  for_each = { for id, view in local.views : id => view if view.level == 1 }

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.view_level_0]
}

resource "google_bigquery_table" "view_level_2" {
  for_each = { for id, view in local.views : id => view if view.level == 2 }

  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = each.key
  deletion_protection = false

  view {
    query          = each.value.query
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.view_level_1]
}
