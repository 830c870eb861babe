# The escalator's tick from Cloud Scheduler, with an OIDC token Cloud Run verifies before the request
# arrives. Each tick runs the SLA timers that are due and then the reconciler (re-drives cases whose
# next step is overdue: ARBITER_RECONCILE_AFTER), so one job serves both.

resource "google_cloud_scheduler_job" "escalator_tick" {
  project          = var.project_id
  region           = var.region
  name             = "arbiter-escalator-tick"
  description      = "SLA reminders, escalations, expiry and lease ends that are due, then the reconciler (sla-escalator POST /tick)."
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
