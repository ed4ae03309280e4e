variable "env" {
  type = string
}

resource "aws_instance" "web" {
  ami           = "ami-0abcdef1234567890"
  instance_type = var.env == "prod" ? "m5.large" : "t3.micro"
}
