resource "aws_instance" "svc" {
  for_each = {
    api = {
      type = "t3.small"
      ami  = "ami-0abcdef1234567890"
    }
    batch = {
      type = "c5.large"
      ami  = "ami-0abcdef1234567890"
    }
  }

  ami           = each.value.ami
  instance_type = each.value.type
  monitoring    = false
}
