resource "aws_instance" "app" {
  ami                     = "ami-0abcdef1234567890"
  instance_type           = "t3.micro"
  disable_api_termination = true

  tags = {
    Name = "app"
  }
}
