variable "app_size" {
  description = "Instance type of the app server."
  type        = string
  default     = "t3.micro"
}
