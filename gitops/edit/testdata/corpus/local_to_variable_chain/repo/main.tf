variable "environment" {
  type    = string
  default = "staging"
}

locals {
  env = var.environment
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  tags = {
    Environment = local.env
  }
}
