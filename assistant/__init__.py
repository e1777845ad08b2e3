"""政务服务智能助手: the assistant's services, components and settings."""
