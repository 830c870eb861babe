# One service account per service, with only the roles its code needs.

resource "google_service_account" "service" {
  for_each = toset(local.service_names)

  project      = var.project_id
  account_id   = "arbiter-${each.key}"
  display_name = "Arbiter ${each.key}"
  description  = "Runs the ${each.key} Cloud Run service."

  depends_on = [google_project_service.api]
}

# Pub/Sub push: the identity whose OIDC token every push subscription attaches.
resource "google_service_account" "push" {
  project      = var.project_id
  account_id   = "arbiter-push"
  display_name = "Arbiter Pub/Sub push"
  description  = "Signs the OIDC tokens of Arbiter's push subscriptions; may invoke the services that have subscriptions."

  depends_on = [google_project_service.api]
}

# Cloud Scheduler: the identity whose OIDC token the tick jobs attach.
resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "arbiter-scheduler"
  display_name = "Arbiter Cloud Scheduler"
  description  = "Signs the OIDC tokens of the escalator tick (which also runs the reconciler); may invoke sla-escalator only."

  depends_on = [google_project_service.api]
}

# Case state: every service reads and writes Firestore (Firestore roles are project-wide).
resource "google_project_iam_member" "firestore_user" {
  for_each = toset(local.service_names)

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.service[each.key].member
}

# Publish only to the topics of the events a service produces (through its outbox) ...
resource "google_pubsub_topic_iam_member" "producer" {
  for_each = merge([
    for service, spec in local.arbiter.services : {
      for topic in spec.publishes_to : "${service}/${topic}" => { service = service, topic = topic }
    }
  ]...)

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.service[each.value.service].member
}

# ... and to its own subscriptions' dead-letter topics (a permanent error is dead-lettered at once).
resource "google_pubsub_topic_iam_member" "dead_letter_producer" {
  for_each = merge([
    for service, spec in local.arbiter.services : {
      for topic in spec.dead_letter_topics : "${service}/${topic}" => { service = service, topic = topic }
    }
  ]...)

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.service[each.value.service].member
}

# Pub/Sub may push to the services that have subscriptions.
resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = toset(distinct([for s in local.arbiter.subscriptions : s.service]))

  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.service[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.push.member
}

# Cloud Scheduler may tick the escalator (and nothing else).
resource "google_cloud_run_v2_service_iam_member" "scheduler_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.service["sla-escalator"].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

# The Pub/Sub service agent mints the push tokens (needed in projects created before April 2021,
# harmless after) ...
resource "google_service_account_iam_member" "pubsub_agent_token_creator" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# ... forwards undeliverable messages to the dead-letter topics ...
resource "google_pubsub_topic_iam_member" "pubsub_agent_dead_letter_publisher" {
  for_each = toset(local.arbiter.dead_letter_topics)

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.key].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

# ... and acknowledges them on the subscription they came from.
resource "google_pubsub_subscription_iam_member" "pubsub_agent_subscriber" {
  for_each = local.subscriptions

  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# BigQuery: only the audit exporter writes, and only to the audit dataset.
resource "google_bigquery_dataset_iam_member" "exporter_data_editor" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.audit.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.service["audit-exporter"].member
}

# The metrics page (review-queue's refresh job) reads the metric views: it runs query jobs in the
# project (jobs are project-level) and reads the audit dataset, nothing else.
resource "google_project_iam_member" "review_queue_bigquery_jobs" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.service["review-queue"].member
}

resource "google_bigquery_dataset_iam_member" "review_queue_audit_reader" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.audit.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.service["review-queue"].member
}

resource "google_bigquery_dataset_iam_member" "audit_reader" {
  for_each = toset(var.audit_readers)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.audit.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.key
}

# Evidence: review-queue signs short-lived links for reviewers (ARBITER_EVIDENCE_SIGNER=gcs: Cloud
# Storage V4 signed URLs through the IAM signBlob API), so it reads objects and may sign as itself
# only; writers upload.
resource "google_storage_bucket_iam_member" "review_queue_evidence_reader" {
  bucket = google_storage_bucket.evidence.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.service["review-queue"].member
}

resource "google_service_account_iam_member" "review_queue_signs_as_itself" {
  service_account_id = google_service_account.service["review-queue"].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.service["review-queue"].member
}

resource "google_storage_bucket_iam_member" "evidence_writer" {
  for_each = toset(var.evidence_writers)

  bucket = google_storage_bucket.evidence.name
  role   = "roles/storage.objectCreator"
  member = each.key
}

# Other teams: publish predictions and evidence, subscribe to decisions, evidence requests, escalations.
resource "google_pubsub_topic_iam_member" "external_publisher" {
  for_each = merge([
    for topic, members in var.external_publishers : { for m in members : "${topic}/${m}" => { topic = topic, member = m } }
  ]...)

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = each.value.member
}

resource "google_pubsub_topic_iam_member" "external_subscriber" {
  for_each = merge([
    for topic, members in var.external_subscribers : { for m in members : "${topic}/${m}" => { topic = topic, member = m } }
  ]...)

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.topic].name
  role    = "roles/pubsub.subscriber"
  member  = each.value.member
}
