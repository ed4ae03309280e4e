terraform {
  backend "local" {}

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

module "logs" {
  source = "./modules/bucket"

  bucket = "acme-logs"
  # Locked down; see SECURITY.md.
  block_public_acls = true
}
