# The five services on Cloud Run (v2). The four workers take requests only from inside the project
# (Pub/Sub push, Cloud Scheduler); review-queue also from the load balancer in front of it (IAP).
# Nothing grants roles/run.invoker to allUsers: every caller is an identity named in iam.tf.

locals {
  common_env = {
    ARBITER_ENV                  = var.environment
    ARBITER_PROJECT_ID           = var.project_id
    ARBITER_DELIVERY             = "push"
    ARBITER_BACKOFF_BEFORE_NACK  = "false"
    ARBITER_PUSH_AUDIENCE        = local.push_audience
    ARBITER_PUSH_SERVICE_ACCOUNT = google_service_account.push.email
    HOST                         = "0.0.0.0"
    LOG_LEVEL                    = var.log_level
  }

  # Traces and metrics by OTLP (packages/platform/src/telemetry-config.ts): set only with an endpoint,
  # so that without one every service runs with tracing off.
  otlp_env = {
    OTEL_EXPORTER_OTLP_ENDPOINT = var.otlp_endpoint
    OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf"
    OTEL_TRACES_SAMPLER         = var.traces_sampler
    OTEL_TRACES_SAMPLER_ARG     = var.traces_sampler_ratio
  }
  telemetry_env = var.otlp_endpoint == "" ? {} : local.otlp_env

  service_env = {
    "confidence-assessor" = {}
    "router"              = {}
    "review-queue" = {
      ARBITER_PUBLIC_URL = "https://${var.reviewer_domain}"
      # Reviewers are who IAP says (its signed x-goog-iap-jwt-assertion, for this backend service);
      # their roles are their Identity Platform custom claims, which IAP passes on.
      ARBITER_IDENTITY     = "iap"
      ARBITER_IAP_AUDIENCE = "/projects/${data.google_project.project.number}/global/backendServices/${google_compute_backend_service.review_queue.generated_id}"
      # Evidence links: Cloud Storage V4 signed URLs (iam.tf grants the reads and the signing).
      ARBITER_EVIDENCE_SIGNER = "gcs"
      # The metrics page reads the audit dataset's views (iam.tf: job user, data viewer on the dataset).
      ARBITER_AUDIT_DATASET       = local.arbiter.bigquery.dataset_id
      ARBITER_BIGQUERY_PROJECT_ID = var.project_id
    }
    "sla-escalator" = {
      # Cloud Scheduler ticks (scheduler.tf); Cloud Run checks its OIDC token before the request arrives.
      ARBITER_TICK_EVERY = "off"
      ARBITER_TICK_AUTH  = "cloud-run-iam"
    }
    "audit-exporter" = {
      ARBITER_AUDIT_DATASET       = local.arbiter.bigquery.dataset_id
      ARBITER_BIGQUERY_PROJECT_ID = var.project_id
      # The views are Terraform's (data.tf); the exporter only inserts rows.
      ARBITER_AUDIT_ENSURE_VIEWS = "false"
    }
  }

}

resource "google_cloud_run_v2_service" "service" {
  for_each = toset(local.service_names)

  project             = var.project_id
  name                = "arbiter-${each.key}"
  location            = var.region
  ingress             = each.key == "review-queue" ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = var.deletion_protection
  custom_audiences    = [local.push_audience]

  template {
    service_account                  = google_service_account.service[each.key].email
    max_instance_request_concurrency = 80
    timeout                          = "300s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    containers {
      # Cloud Run sets PORT (8080 here); the image runs `node dist/main.js` as a non-root user.
      image = "${local.image_base}/${each.key}:${var.image_tag}"

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        # CPU stays allocated between requests: the outbox relay publishes after a commit and sweeps
        # on a timer, outside any request.
        cpu_idle = false
      }

      dynamic "env" {
        for_each = merge(local.common_env, local.telemetry_env, local.service_env[each.key], lookup(var.extra_env, each.key, {}))
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets (secrets.tf): the variable's value is the secret's latest version.
      dynamic "env" {
        for_each = { for key, secret in local.secret_env : secret.variable => secret.secret_id if secret.service == each.key }
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 2
        failure_threshold = 30
      }

      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds = 30
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.env_reader,
    google_project_iam_member.firestore_user,
  ]
}
