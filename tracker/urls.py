from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tracker import views

urlpatterns = [
    path("", views.home, name="home"),
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/follow-ups/", views.log_follow_up, name="log_follow_up"),
    path("pledges/<int:pk>/evidence/", views.add_evidence, name="add_evidence"),
    path("pledges/<int:pk>/citable-evidence/", views.citable_evidence, name="citable_evidence"),
    path("pledges/<int:pk>/updates/<int:update_pk>/retract/", views.retract_update, name="retract_update"),
    path("queue/", views.analyst_queue, name="analyst_queue"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
