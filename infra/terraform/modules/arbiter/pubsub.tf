# Topics and subscriptions from the contract's topology (arbiter.gen.json). Every service subscription
# is a push subscription to its service's /pubsub/push/<subscription> route, with an OIDC token, a
# retry policy and a dead-letter topic of its own. The only pull subscriptions are the dead-letter
# inspections, which keep what landed in a dead-letter topic for a person to look at.

resource "google_pubsub_topic" "topic" {
  for_each = toset(local.arbiter.topics)

  project                    = var.project_id
  name                       = each.key
  message_retention_duration = "604800s"

  depends_on = [google_project_service.api]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = toset(local.arbiter.dead_letter_topics)

  project                    = var.project_id
  name                       = each.key
  message_retention_duration = "604800s"

  depends_on = [google_project_service.api]
}

resource "google_pubsub_subscription" "push" {
  for_each = local.subscriptions

  project                    = var.project_id
  name                       = each.key
  topic                      = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds       = each.value.ack_deadline_seconds
  filter                     = each.value.filter
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = "${google_cloud_run_v2_service.service[each.value.service].uri}${each.value.push_path}"

    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = local.push_audience
    }
  }

  retry_policy {
    minimum_backoff = each.value.retry_minimum_backoff
    maximum_backoff = each.value.retry_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.dead_letter_topic].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  # Never expire for inactivity (GCP's default deletes a subscription after 31 idle days).
  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_pubsub_topic_iam_member.pubsub_agent_dead_letter_publisher,
    google_service_account_iam_member.pubsub_agent_token_creator,
  ]
}

resource "google_pubsub_subscription" "dead_letter_inspection" {
  for_each = local.inspections

  project                    = var.project_id
  name                       = each.key
  topic                      = google_pubsub_topic.dead_letter[each.value.topic].id
  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = "604800s"

  expiration_policy {
    ttl = ""
  }
}
