variable "size" {
  type = string
}

resource "aws_instance" "this" {
  ami           = "ami-0abcdef1234567890"
  instance_type = var.size
  monitoring    = true
}
