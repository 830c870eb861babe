# Reviewers reach review-queue (API and console) through an external HTTPS load balancer with IAP:
# only var.reviewer_members get past it, and review-queue's ingress accepts only the load balancer
# and internal callers. The serverless NEG names the service rather than referencing the resource,
# so review-queue's environment may refer to the backend service without a cycle.

resource "google_compute_region_network_endpoint_group" "review_queue" {
  project               = var.project_id
  name                  = "arbiter-review-queue"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = "arbiter-review-queue"
  }

  depends_on = [google_project_service.api]
}

resource "google_compute_backend_service" "review_queue" {
  project               = var.project_id
  name                  = "arbiter-review-queue"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"

  backend {
    group = google_compute_region_network_endpoint_group.review_queue.id
  }

  iap {
    enabled              = true
    oauth2_client_id     = var.iap_oauth_client_id
    oauth2_client_secret = var.iap_oauth_client_secret
  }
}

resource "google_compute_url_map" "reviewers" {
  project         = var.project_id
  name            = "arbiter-reviewers"
  default_service = google_compute_backend_service.review_queue.id
}

resource "google_compute_managed_ssl_certificate" "reviewers" {
  project = var.project_id
  name    = "arbiter-reviewers"

  managed {
    domains = [var.reviewer_domain]
  }
}

resource "google_compute_target_https_proxy" "reviewers" {
  project          = var.project_id
  name             = "arbiter-reviewers"
  url_map          = google_compute_url_map.reviewers.id
  ssl_certificates = [google_compute_managed_ssl_certificate.reviewers.id]
}

resource "google_compute_global_address" "reviewers" {
  project = var.project_id
  name    = "arbiter-reviewers"
}

resource "google_compute_global_forwarding_rule" "reviewers" {
  project               = var.project_id
  name                  = "arbiter-reviewers"
  target                = google_compute_target_https_proxy.reviewers.id
  ip_address            = google_compute_global_address.reviewers.id
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

# IAP lets through only these members ...
resource "google_iap_web_backend_service_iam_member" "reviewer" {
  for_each = toset(var.reviewer_members)

  project             = var.project_id
  web_backend_service = google_compute_backend_service.review_queue.name
  role                = "roles/iap.httpsResourceAccessor"
  member              = each.key
}

# ... and IAP's service agent is the identity that invokes review-queue for them.
resource "google_cloud_run_v2_service_iam_member" "iap_invoker" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_service.service["review-queue"].name
  role     = "roles/run.invoker"
  member   = local.iap_agent
}
