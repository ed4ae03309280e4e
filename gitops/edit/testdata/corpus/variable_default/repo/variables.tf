variable "size" {
  description = "EC2 instance type for the web tier"
  type        = string
  default     = "t3.micro"
}
