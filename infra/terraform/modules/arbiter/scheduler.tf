# Ticks from Cloud Scheduler, each with an OIDC token Cloud Run verifies before the request arrives.

resource "google_cloud_scheduler_job" "escalator_tick" {
  project          = var.project_id
  region           = var.region
  name             = "arbiter-escalator-tick"
  description      = "SLA reminders, escalations, expiry and lease ends that are due (sla-escalator POST /tick)."
  schedule         = var.escalator_schedule
  time_zone        = var.scheduler_time_zone
  attempt_deadline = "120s"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloud_run_v2_service.service["sla-escalator"].uri}/tick"

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloud_run_v2_service.service["sla-escalator"].uri
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_cloud_scheduler_job" "reconciler_tick" {
  project          = var.project_id
  region           = var.region
  name             = "arbiter-reconciler-tick"
  description      = "Re-drives cases stuck between steps (sla-escalator POST /reconcile)."
  schedule         = var.reconciler_schedule
  time_zone        = var.scheduler_time_zone
  attempt_deadline = "300s"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloud_run_v2_service.service["sla-escalator"].uri}/reconcile"

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloud_run_v2_service.service["sla-escalator"].uri
    }
  }

  depends_on = [google_project_service.api]
}
