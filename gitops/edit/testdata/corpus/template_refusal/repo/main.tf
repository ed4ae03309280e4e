variable "env" {
  type    = string
  default = "prod"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-${var.env}-logs"
}
