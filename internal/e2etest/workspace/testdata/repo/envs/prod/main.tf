# A root module whose state lives outside the repository: the test adds
# backend.tf with an absolute local path, as a remote backend would be.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "0.0.1"
    }
  }
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "Web tier"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
