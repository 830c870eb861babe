# Secrets live in Secret Manager and reach a service as environment variables (value_source), never as
# plain values. Arbiter in production needs none today — push deliveries carry Google-signed OIDC
# tokens, reviewers come through IAP, Cloud Scheduler's ticks are checked by Cloud Run, evidence links
# are signed through IAM — so var.secret_env is empty by default. For each entry Terraform creates the
# secret `arbiter-<service>-<variable>` (never its value, which would land in the state: add it with
# `gcloud secrets versions add`, docs/deploy.md) and lets only that service read it.
locals {
  secret_env = merge([
    for service, variables in var.secret_env : {
      for variable in variables : "${service}/${variable}" => {
        service   = service
        variable  = variable
        secret_id = "arbiter-${service}-${lower(replace(variable, "_", "-"))}"
      }
    }
  ]...)
}

resource "google_secret_manager_secret" "env" {
  for_each = local.secret_env

  project   = var.project_id
  secret_id = each.value.secret_id

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_iam_member" "env_reader" {
  for_each = local.secret_env

  project   = var.project_id
  secret_id = google_secret_manager_secret.env[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.service[each.value.service].member
}
