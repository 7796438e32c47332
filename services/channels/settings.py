from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class ChannelsSettings(ServiceSettings):
    """A provider without its settings is off (`providers.<kind>.off_reason`); nothing points at a
    public host unless the defaults are kept, so tests point every provider at a local server."""
    service_name: ClassVar[str] = "channels"

    database_url: str | None = Field(None, validation_alias="CHANNELS_DATABASE_URL")
    metrics_port: int = Field(9104, validation_alias="CHANNELS_METRICS_PORT")
    # the website's address, for links in messages (the full message, unsubscribe, e-mail confirmation)
    public_url: str = Field("http://localhost:8000", validation_alias="GATEWAY_PUBLIC_URL")

    # linking: a one-time code, valid this long
    link_code_minutes: float = Field(30, gt=0, validation_alias="KIM_CHANNEL_LINK_MINUTES")
    # the dispatcher: how often it looks for due messages (it is also woken by new ones)
    dispatch_seconds: float = Field(0.5, gt=0, validation_alias="KIM_CHANNEL_DISPATCH_SECONDS")
    # a failed send is tried again after backoff, 2 x backoff, ... up to max_attempts, then failed
    max_attempts: int = Field(5, ge=1, validation_alias="KIM_CHANNEL_MAX_ATTEMPTS")
    backoff_seconds: float = Field(10, gt=0, validation_alias="KIM_CHANNEL_BACKOFF_SECONDS")
    # a channel whose last messages all failed for good is paused, with the reason for the office
    pause_after_failures: int = Field(5, ge=1, validation_alias="KIM_CHANNEL_PAUSE_AFTER_FAILURES")
    # sends in flight per kind of channel (at most this many repeat after a crash: at least once)
    channel_concurrency: int = Field(8, ge=1, validation_alias="KIM_CHANNEL_CONCURRENCY")
    # the queue depth and failing-channel gauges
    channel_gauges_seconds: float = Field(15, gt=0, validation_alias="KIM_CHANNEL_GAUGES_SECONDS")
    # each provider call's total deadline
    provider_timeout_seconds: float = Field(10, gt=0, validation_alias="KIM_CHANNEL_TIMEOUT_SECONDS")

    # Telegram Bot API: about 30 messages a second per bot, 20 a minute into one group
    telegram_api_url: str = Field("https://api.telegram.org", validation_alias="TELEGRAM_API_URL")
    telegram_bot_token: str | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_rate_per_second: float = Field(30, gt=0, validation_alias="TELEGRAM_RATE_PER_SECOND")
    telegram_chat_rate_per_minute: float = Field(20, gt=0, validation_alias="TELEGRAM_CHAT_RATE_PER_MINUTE")

    # WhatsApp Cloud API: free text inside the 24-hour window, the approved template outside it
    whatsapp_api_url: str = Field("https://graph.facebook.com/v21.0", validation_alias="WHATSAPP_API_URL")
    whatsapp_token: str | None = Field(None, validation_alias="WHATSAPP_TOKEN")
    whatsapp_phone_number_id: str | None = Field(None, validation_alias="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_app_secret: str | None = Field(None, validation_alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: str | None = Field(None, validation_alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_template: str = Field("kim_informasi", validation_alias="WHATSAPP_TEMPLATE")
    whatsapp_template_language: str = Field("id", validation_alias="WHATSAPP_TEMPLATE_LANGUAGE")
    whatsapp_rate_per_second: float = Field(80, gt=0, validation_alias="WHATSAPP_RATE_PER_SECOND")

    # SMS through Kannel's HTTP sendsms interface
    kannel_sendsms_url: str | None = Field(None, validation_alias="KANNEL_SENDSMS_URL")
    kannel_username: str | None = Field(None, validation_alias="KANNEL_USERNAME")
    kannel_password: str | None = Field(None, validation_alias="KANNEL_PASSWORD")
    kannel_callback_secret: str | None = Field(None, validation_alias="KANNEL_CALLBACK_SECRET")
    kannel_rate_per_second: float = Field(10, gt=0, validation_alias="KANNEL_RATE_PER_SECOND")
    # a text longer than this many segments goes as a short text with a link to the full message
    sms_max_segments: int = Field(3, ge=1, validation_alias="KIM_SMS_MAX_SEGMENTS")

    # e-mail over SMTP: smtp://user:pass@host:587?starttls=1 (smtps:// for TLS from the start)
    smtp_url: str | None = Field(None, validation_alias="SMTP_URL")
    smtp_from: str | None = Field(None, validation_alias="SMTP_FROM")
    smtp_rate_per_second: float = Field(10, gt=0, validation_alias="SMTP_RATE_PER_SECOND")
