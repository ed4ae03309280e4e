terraform {
  backend "local" {
    path = "STATE_PATH"
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

  tags = {
    Name = "web"
  }
}

# The database's group: PostgreSQL from the VPC only.
resource "aws_security_group" "db" {
  name        = "db"
  description = "Database"

  ingress {
    description = "PostgreSQL"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

# Two identical worker groups: every instance shares this block.
resource "aws_security_group" "pool" {
  count       = 2
  name        = "pool-${count.index}"
  description = "Worker pool"

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
