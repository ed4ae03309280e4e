# The example infrastructure repo of `tfdrift demo`: a small production
# account with a web tier, an IAM role for the app and an audit-log bucket.
terraform {
  required_providers {
    aws    = { source = "hashicorp/aws" }
    google = { source = "hashicorp/google" }
  }
}

provider "aws" {
  region = "us-east-1"
}

provider "google" {
  project = "my-project-123"
}

module "network" {
  source = "./modules/network"
  vpc_id = "vpc-0abc1234"
}

module "iam" {
  source = "./modules/iam"
}

resource "aws_instance" "app_server" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.micro"

  tags = {
    Name = "app-server"
  }
}

resource "aws_instance" "workers" {
  count         = 2
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.small"

  lifecycle {
    ignore_changes = [tags]
  }
}

resource "aws_ebs_volume" "app_data" {
  availability_zone = "us-east-1a"
  size              = 100
  type              = "gp3"
}

resource "aws_s3_bucket" "b" {
  for_each = toset(["logs", "assets"])
  bucket   = "acme-prod-${each.key}"
}

resource "google_compute_firewall" "web" {
  name    = "allow-web"
  network = "default"

  allow {
    protocol = "tcp"
    ports    = ["443"]
  }

  source_ranges = ["10.0.0.0/8"]
}
