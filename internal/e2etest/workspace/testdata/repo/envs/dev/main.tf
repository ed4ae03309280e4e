# No backend block: the state would be terraform.tfstate next to this
# file, inside a job's working copy.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "0.0.1"
    }
  }
}

resource "aws_security_group" "dev" {
  name = "dev"
}
