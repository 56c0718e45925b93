"""In-app notifications (消息通知) and their e-mail copies: a bottom app every step may call."""
