from django.urls import path

from notifications import api

urlpatterns = [
    path("channels", api.ChannelListCreateApi.as_view(), name="channel-list"),
    path("channels/<uuid:channel_id>", api.ChannelDetailApi.as_view(), name="channel-detail"),
    path("channels/<uuid:channel_id>/test", api.ChannelTestApi.as_view(), name="channel-test"),
    path(
        "channels/<uuid:channel_id>/deliveries",
        api.ChannelDeliveriesApi.as_view(),
        name="channel-deliveries",
    ),
]
