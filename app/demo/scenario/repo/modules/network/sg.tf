variable "vpc_id" {
  type = string
}

resource "aws_security_group" "web_servers" {
  name        = "web-servers"
  description = "web tier"
  vpc_id      = var.vpc_id

  ingress {
    description = "https from the load balancer subnet"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
