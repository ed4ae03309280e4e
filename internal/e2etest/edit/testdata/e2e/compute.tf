resource "aws_instance" "app" {
  ami                     = "ami-0abcdef1234567890"
  instance_type           = var.app_size
  disable_api_termination = true

  tags = {
    Name = "app" # shown in the console
    Team = "payments"
  }
}
