resource "aws_instance" "api" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "m5.large"

  tags = {
    Name        = "api"
    Environment = "prod" # billing report key
    Team        = "payments"
    Temporary   = "true"
  }
}
