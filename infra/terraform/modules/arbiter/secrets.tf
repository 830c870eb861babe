# Secrets live in Secret Manager; Terraform creates the secret, never its value (which would land in
# the state). Add the value once: see docs/deploy.md.
resource "google_secret_manager_secret" "auth" {
  project   = var.project_id
  secret_id = "arbiter-auth-secret"

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.api]
}
