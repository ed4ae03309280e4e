terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region = var.region
}

module "network" {
  source = "./modules/network"

  cidr_block = var.vpc_cidr
  name       = "prod"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.2"

  cidr = "10.20.0.0/16"
}

module "legacy" {
  source = "git::https://example.com/infra/legacy-modules.git//dns?ref=v1.4.0"
}

resource "aws_instance" "workers" {
  count         = var.worker_count
  ami           = data.aws_ami.ubuntu.id
  instance_type = "t3.micro"

  tags = {
    Name  = "worker"
    Owner = "platform"
  }

  root_block_device {
    volume_size = 20
  }

  lifecycle {
    ignore_changes = [ami, tags["Owner"]]
  }
}

resource "aws_s3_bucket" "b" {
  for_each = toset(["logs", "assets"])
  bucket   = "acme-${each.key}"

  lifecycle {
    ignore_changes = all
  }
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = local.assume_role_policy
}

locals {
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
  env                = "prod"
}
