"""The WhatsApp invitation channel (Cloud API): store settings, the API client, sending
through the outbox, and the webhook for statuses and replies."""
