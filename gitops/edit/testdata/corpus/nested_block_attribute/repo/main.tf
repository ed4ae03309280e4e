resource "aws_instance" "db" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "r5.large"

  root_block_device {
    volume_size = 100
    volume_type = "gp3"
    encrypted   = true
  }
}
