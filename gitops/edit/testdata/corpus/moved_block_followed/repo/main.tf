moved {
  from = aws_instance.old
  to   = aws_instance.app
}

resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
}
