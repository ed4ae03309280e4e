variable "name" {
  type = string
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

resource "aws_security_group" "this" {
  name   = var.name
  vpc_id = "vpc-0a1b2c3d4e5f67890"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }
}

resource "aws_cloudwatch_log_group" "flow" {
  name              = "/vpc/${var.name}"
  retention_in_days = 30
}
