output "service_urls" {
  description = "Cloud Run URL of each service (reachable only from inside the project, or through the load balancer for review-queue)."
  value       = { for name, service in google_cloud_run_v2_service.service : name => service.uri }
}

output "reviewer_ip" {
  description = "Address to point var.reviewer_domain's A record at."
  value       = google_compute_global_address.reviewers.address
}

output "reviewer_url" {
  description = "Where reviewers open the console."
  value       = "https://${var.reviewer_domain}"
}

output "image_base" {
  description = "Artifact Registry path the images are pushed to: <image_base>/<service>:<tag>."
  value       = local.image_base
}

output "service_accounts" {
  description = "Email of each service's account."
  value       = { for name, account in google_service_account.service : name => account.email }
}

output "push_service_account" {
  description = "Email of the account whose OIDC token the push subscriptions attach."
  value       = google_service_account.push.email
}

output "push_audience" {
  description = "Audience of the push subscriptions' OIDC tokens."
  value       = local.push_audience
}

output "iap_backend_service_id" {
  description = "Numeric id of the reviewer backend service (IAP's JWT audience is /projects/<project number>/global/backendServices/<id>)."
  value       = google_compute_backend_service.review_queue.generated_id
}

output "evidence_bucket" {
  description = "The evidence bucket."
  value       = google_storage_bucket.evidence.name
}
