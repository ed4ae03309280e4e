terraform {
  backend "local" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "0.0.1"
    }
  }
}

# Matches the objects TestImport creates in the cloud by hand, so that a
# plan after importing them must be empty.

resource "aws_security_group" "console" {
  name        = "console"
  description = "Made by hand"
  vpc_id      = "vpc-0a1b2c3d4e5f67890"

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_instance" "console" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"
  user_data     = "#!/bin/sh\necho hi\n"

  tags = {
    Name = "console"
  }
}

resource "aws_iam_role_policy" "console" {
  role = "ops"
  name = "read-all"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:Get*"]
      Resource = ["*"]
    }]
  })
}

resource "aws_s3_bucket_public_access_block" "console" {
  bucket              = "acme-console"
  block_public_acls   = true
  block_public_policy = true
}
