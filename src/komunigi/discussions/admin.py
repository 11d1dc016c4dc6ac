from django.contrib import admin

from komunigi.discussions.models import MailingList, Subscription


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["name", "local_part", "read_access", "reply_to_author", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["mailing_list", "user", "delivery", "created_at"]
    list_filter = ["mailing_list", "delivery"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
