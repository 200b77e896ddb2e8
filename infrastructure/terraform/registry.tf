locals {
  # One repository per image the pipeline builds (apps/<name>/Dockerfile).
  images = toset([
    "employee-service",
    "asset-service",
    "invoice-service",
    "dashboard-service",
    "notification-service",
    "web-frontend",
  ])
}

resource "aws_ecr_repository" "app" {
  for_each = local.images

  name = "${var.project}/${each.key}"
  # A tag names one build forever, so a rollback to a tag is a rollback to the same bytes.
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.main.arn
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  for_each = aws_ecr_repository.app

  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged layers left by rebuilds go after a week"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 7
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest tagged images for rollbacks"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.ecr_keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}
