# The guard tests' root module: aws_instance.app depends on
# aws_security_group.web, so a plan targeted at the instance also plans
# the group, and a change to the group's description (a force-new
# attribute in the fake provider, as in the real one) means replacement.
terraform {
  backend "local" {}

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

resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  tags = {
    Name          = "app"
    SecurityGroup = aws_security_group.web.id
  }
}
