from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.CommentCreateView.as_view(), name="create"),
    path("articles/<slug:slug>/comments/form/", views.comment_form, name="form"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
