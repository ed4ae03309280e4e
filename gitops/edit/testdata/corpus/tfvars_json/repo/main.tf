resource "aws_instance" "web" {
  ami           = var.ami
  instance_type = "t3.micro"
  tags          = var.tags
}

variable "ami" {
  type = string
}

variable "tags" {
  type = map(string)
}
