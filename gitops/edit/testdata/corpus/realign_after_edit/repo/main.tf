resource "aws_db_instance" "main" {
  identifier          = "main"
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  allocated_storage   = 50
  deletion_protection = true
}
