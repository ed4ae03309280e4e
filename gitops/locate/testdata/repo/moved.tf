moved {
  from = aws_instance.worker
  to   = aws_instance.workers
}

moved {
  from = module.net
  to   = module.network
}

moved {
  from = aws_iam_role.application
  to   = aws_iam_role.app_old
}

moved {
  from = aws_iam_role.app_old
  to   = aws_iam_role.app
}
