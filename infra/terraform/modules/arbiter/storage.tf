# The evidence bucket: private, uniform access, objects deleted after the longest
# privacy.retention.evidenceDays of any policy (an object cannot tell which use case it serves).
resource "google_storage_bucket" "evidence" {
  project                     = var.project_id
  name                        = var.evidence_bucket_name
  location                    = var.evidence_location
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  lifecycle_rule {
    condition {
      age = local.retention.evidence_days_max
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}
