resource "aws_sqs_queue_policy" "events" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/events"
  policy    = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"events.amazonaws.com\"}, \"Action\": \"sqs:SendMessage\", \"Resource\": \"*\"}]}"
}
