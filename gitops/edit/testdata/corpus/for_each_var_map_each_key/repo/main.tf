variable "instance_types" {
  type = map(string)
  default = {
    api    = "t3.small"
    worker = "c5.large"
  }
}

resource "aws_instance" "svc" {
  for_each      = var.instance_types
  ami           = "ami-0abcdef1234567890"
  instance_type = var.instance_types[each.key]
}
