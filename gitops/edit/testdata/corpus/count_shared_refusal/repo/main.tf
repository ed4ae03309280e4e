resource "aws_instance" "workers" {
  count         = 3
  ami           = "ami-0abcdef1234567890"
  instance_type = "c5.large"

  tags = {
    Name = "worker-${count.index}"
  }
}
