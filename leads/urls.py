from django.urls import path

from . import views

app_name = "leads"

urlpatterns = [
    path("get-info/", views.LeadCreateView.as_view(), name="create"),
    path("get-info/form/", views.LeadFormFragmentView.as_view(), name="form"),
    path("get-info/thanks/", views.LeadThanksView.as_view(), name="thanks"),
]
