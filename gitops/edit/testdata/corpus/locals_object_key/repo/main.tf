locals {
  sizes = {
    web    = "t3.small"
    worker = "t3.medium"
  }
}

resource "aws_instance" "web" {
  ami           = "ami-0abcdef1234567890"
  instance_type = local.sizes.web
}
