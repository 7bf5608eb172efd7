"""Data test for the technologies added for coverage: each name, alias, category and signal."""

import pytest

from projects.core.source import MemorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills
from skills.core.manifests import jvm


@pytest.mark.parametrize(
    ("ecosystem", "value", "skill", "category"),
    [
        ("gem", "propshaft", "Propshaft", "build"),
        ("gem", "sprockets-rails", "Sprockets", "build"),
        ("gem", "turbo-rails", "Hotwire Turbo", "framework"),
        ("gem", "stimulus-rails", "Stimulus", "framework"),
        ("npm", "@hotwired/stimulus", "Stimulus", "framework"),
        ("gem", "importmap-rails", "Import maps", "build"),
        ("gem", "plaid", "Plaid", "library"),
        ("gem", "ruby-openai", "OpenAI API", "library"),
        ("composer", "openai-php/client", "OpenAI API", "library"),
        ("composer", "laravel/scout", "Laravel Scout", "library"),
        ("composer", "league/flysystem-aws-s3-v3", "Amazon S3", "cloud"),
        ("npm", "@aws-sdk/client-s3", "Amazon S3", "cloud"),
        ("npm", "@nestjs/passport", "Passport.js", "library"),
        ("npm", "@nestjs/jwt", "JSON Web Tokens", "library"),
        ("npm", "passport-jwt", "JSON Web Tokens", "library"),
        ("maven", "org.springframework:spring-webmvc", "Spring MVC", "framework"),
        ("maven", "org.springframework:spring-webflux", "Spring WebFlux", "framework"),
        ("maven", "org.springframework.data:spring-data-jpa", "Spring Data JPA", "library"),
        ("maven", "androidx.room:room-runtime", "Room", "library"),
        ("maven", "androidx.test.espresso:espresso-core", "Espresso", "testing"),
        ("go", "github.com/jackc/pgx/v5", "PostgreSQL", "database"),
        ("go", "github.com/prometheus/client_golang", "Prometheus", "infrastructure"),
        ("go", "go.opentelemetry.io/otel/exporters/jaeger", "Jaeger", "infrastructure"),
        ("go", "github.com/swaggo/swag", "Swagger / OpenAPI", "tool"),
        ("cargo", "regex", "Regex (Rust)", "library"),
        ("cargo", "ignore", "ignore (Rust)", "library"),
        ("cargo", "anyhow", "anyhow", "library"),
        ("cargo", "thiserror", "thiserror", "library"),
        ("npm", "less", "Less", "language"),
        ("npm", "sass", "Sass", "language"),
        ("docker_image", "node", "Node.js", "runtime"),
        ("docker_image", "denoland/deno", "Deno", "runtime"),
    ],
)
def test_each_new_signal_names_its_technology(ecosystem, value, skill, category):
    found = cached_catalogue().match(ecosystem, value)
    assert found is not None, f"{ecosystem}:{value} is not catalogued"
    assert (found.name, found.category) == (skill, category)


@pytest.mark.parametrize(
    ("alias", "skill"),
    [
        ("hotwire", "Hotwire Turbo"),
        ("hotwire stimulus", "Stimulus"),
        ("propshaft-rails", "Propshaft"),
        ("scout", "Laravel Scout"),
        ("laravel blade", "Blade"),
        ("webflux", "Spring WebFlux"),
        ("gke", "Google Kubernetes Engine"),
        ("scss", "Sass"),
        ("nodejs", "Node.js"),
    ],
)
def test_aliases_find_the_new_entries(alias, skill):
    assert cached_catalogue().by_name(alias).name == skill


@pytest.mark.parametrize(
    ("path", "skill"),
    [
        ("resources/views/welcome.blade.php", "Blade"),
        ("test/test_helper.rb", "Minitest"),
        ("istio-manifests/frontend-gateway.yaml", "Istio"),
        ("cloudbuild.yaml", "Google Cloud Build"),
        ("config/importmap.rb", "Import maps"),
    ],
)
def test_file_signals_of_the_new_entries(path, skill):
    assert skill in {s.name for s in cached_catalogue().match_file(path)}


VERSION_CATALOG = b"""\
[versions]
room = "2.6.1"
hilt = "2.51.1"
composeBom = "2024.05.00"

[libraries]
androidx-room-runtime = { module = "androidx.room:room-runtime", version.ref = "room" }
androidx-compose-bom = { group = "androidx.compose", name = "compose-bom", version.ref = "composeBom" }
hilt-android = "com.google.dagger:hilt-android:2.51.1"
androidx-test-espresso-core = { module = "androidx.test.espresso:espresso-core", version = "3.5.1" }
junit = { module = "junit:junit", version = "4.13.2" }

[plugins]
hilt = { id = "com.google.dagger.hilt.android", version.ref = "hilt" }
kotlin-android = "org.jetbrains.kotlin.android:2.0.0"
"""


def test_a_gradle_version_catalog_names_its_libraries_and_plugins_with_versions():
    deps = {
        (d.ecosystem, d.name): d for d in jvm.parse("gradle/libs.versions.toml", VERSION_CATALOG)
    }
    room = deps[("maven", "androidx.room:room-runtime")]
    assert (room.spec, room.line, room.kind) == ("2.6.1", 7, "runtime")
    assert deps[("maven", "androidx.compose:compose-bom")].spec == "2024.05.00"
    assert deps[("maven", "com.google.dagger:hilt-android")].spec == "2.51.1"
    assert deps[("maven", "androidx.test.espresso:espresso-core")].kind == "dev"
    assert deps[("gradle_plugin", "com.google.dagger.hilt.android")].spec == "2.51.1"
    assert deps[("gradle_plugin", "org.jetbrains.kotlin.android")].spec == "2.0.0"


def test_an_android_app_with_a_version_catalog_shows_its_stack():
    files = {
        "gradle/libs.versions.toml": VERSION_CATALOG.decode(),
        "app/build.gradle.kts": "plugins {\n  alias(libs.plugins.hilt)\n}\ndependencies {\n"
        "  implementation(libs.androidx.room.runtime)\n}\n",
        "app/src/main/java/com/x/App.kt": "package com.x\nclass App\n",
    }
    found = {
        s.name for s in extract_skills(MemorySource(files), catalogue=cached_catalogue()).skills
    }
    assert {"Room", "Jetpack Compose", "Dagger", "Espresso", "JUnit", "Kotlin", "Gradle"} <= found


def test_spring_boot_starters_name_what_they_bring():
    pom = b"""<project><dependencies>
<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-data-jpa</artifactId></dependency>
<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-thymeleaf</artifactId></dependency>
<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-security</artifactId></dependency>
<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-test</artifactId><scope>test</scope></dependency>
</dependencies></project>"""
    files = {"pom.xml": pom.decode(), "src/main/java/App.java": "class App {}\n"}
    found = {
        s.name: s for s in extract_skills(MemorySource(files), catalogue=cached_catalogue()).skills
    }
    assert {
        "Spring Boot",
        "Spring MVC",
        "Spring Data JPA",
        "Thymeleaf",
        "Spring Security",
        "JUnit",
        "Mockito",
    } <= set(found)
    assert [e.line for e in found["Mockito"].evidence] == [6]


def test_spring_boot_4_starters_and_their_test_starters():
    gradle = (
        "dependencies {\n"
        "  implementation 'org.springframework.boot:spring-boot-starter-webmvc'\n"
        "  testImplementation 'org.springframework.boot:spring-boot-starter-webmvc-test'\n"
        "}\n"
    )
    files = {"build.gradle": gradle, "src/main/java/App.java": "class App {}\n"}
    found = {
        s.name for s in extract_skills(MemorySource(files), catalogue=cached_catalogue()).skills
    }
    assert {"Spring MVC", "JUnit", "Mockito"} <= found


def test_terraform_managed_kubernetes_names_the_service():
    tf = 'provider "google" {}\nresource "google_container_cluster" "demo" {\n  name = "demo"\n}\n'
    found = {
        s.name: s
        for s in extract_skills(
            MemorySource({"terraform/main.tf": tf}), catalogue=cached_catalogue()
        ).skills
    }
    assert [e.line for e in found["Google Kubernetes Engine"].evidence] == [2]


def test_gradle_scripts_are_not_groovy_code():
    files = {"build.gradle": "plugins { id 'java' }\n" * 30, "src/App.java": "class App {}\n"}
    result = extract_skills(MemorySource(files), catalogue=cached_catalogue())
    assert [share.name for share in result.languages] == ["Java"]
