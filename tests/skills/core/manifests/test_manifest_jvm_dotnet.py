import pytest

from skills.core.manifests import dotnet, jvm
from skills.core.manifests.types import ManifestError

POM = b"""<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.5</version></parent>
  <properties><java.version>21</java.version></properties>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>${junit.version}</version><scope>test</scope></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>maven-surefire-plugin</artifactId></plugin></plugins></build>
</project>
"""


def test_pom_reads_parent_dependencies_scopes_plugins_and_java_version():
    deps = jvm.parse("pom.xml", POM)
    got = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert {
        ("maven", "org.springframework.boot:spring-boot-starter-parent", "runtime"),
        ("maven", "org.springframework.boot:spring-boot-starter-web", "runtime"),
        ("maven", "org.junit.jupiter:junit-jupiter", "dev"),
        ("maven", "org.apache.maven.plugins:maven-surefire-plugin", "build"),
        ("skill", "Maven", "build"),
        ("skill", "Java", "config"),
    } <= got
    junit = next(d for d in deps if d.name.endswith("junit-jupiter"))
    assert junit.spec == ""  # an unresolved property is not a version


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><project>&lol;</project>',
        b'<!DOCTYPE project SYSTEM "file:///etc/passwd"><project/>',
        b"<project><dependencies></project>",
        b"<notaproject/>",
    ],
)
def test_pom_with_entities_or_broken_xml_is_reported(data):
    with pytest.raises(ManifestError):
        jvm.parse("pom.xml", data)


def test_gradle_groovy_and_kotlin_dsl_dependencies_and_plugins():
    text = b"""plugins {
    id 'org.springframework.boot' version '3.2.5'
    id("io.spring.dependency-management") version "1.1.4"
    kotlin("jvm") version "1.9.23"
    java
}
apply plugin: 'jacoco'
dependencies {
    implementation 'org.springframework.boot:spring-boot-starter-web'
    implementation("com.squareup.okhttp3:okhttp:4.12.0")
    testImplementation "org.junit.jupiter:junit-jupiter:5.10.2"
    runtimeOnly group: 'org.postgresql', name: 'postgresql'
    implementation(platform("org.springframework.cloud:spring-cloud-dependencies:2023.0.1"))
}
"""
    deps = jvm.parse("build.gradle.kts", text)
    got = {(d.ecosystem, d.name, d.kind) for d in deps}
    assert {
        ("gradle_plugin", "org.springframework.boot", "build"),
        ("gradle_plugin", "io.spring.dependency-management", "build"),
        ("gradle_plugin", "org.jetbrains.kotlin.jvm", "build"),
        ("gradle_plugin", "java", "build"),
        ("gradle_plugin", "jacoco", "build"),
        ("maven", "org.springframework.boot:spring-boot-starter-web", "runtime"),
        ("maven", "com.squareup.okhttp3:okhttp", "runtime"),
        ("maven", "org.junit.jupiter:junit-jupiter", "dev"),
        ("maven", "org.postgresql:postgresql", "runtime"),
        ("maven", "org.springframework.cloud:spring-cloud-dependencies", "runtime"),
        ("skill", "Gradle", "build"),
        ("skill", "Kotlin", "config"),
    } <= got
    okhttp = next(d for d in deps if d.name.endswith("okhttp"))
    assert (okhttp.spec, okhttp.line) == ("4.12.0", 10)


def test_csproj_reads_package_references_sdk_and_framework():
    text = b"""<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.EntityFrameworkCore" Version="8.0.4" />
    <PackageReference Include="Serilog.AspNetCore"><Version>8.0.1</Version></PackageReference>
    <PackageReference Include="StyleCop.Analyzers" Version="1.1" PrivateAssets="all" />
  </ItemGroup>
</Project>
"""
    deps = dotnet.parse("src/Api/Api.csproj", text)
    got = {(d.ecosystem, d.name, d.spec, d.kind) for d in deps}
    assert {
        ("nuget", "Microsoft.EntityFrameworkCore", "8.0.4", "runtime"),
        ("nuget", "Serilog.AspNetCore", "8.0.1", "runtime"),
        ("nuget", "StyleCop.Analyzers", "1.1", "dev"),
        ("nuget", "Microsoft.NET.Sdk.Web", "", "build"),
        ("skill", ".NET", "net8.0", "build"),
        ("skill", "C#", "", "config"),
    } <= got


def test_csproj_that_is_not_a_project_is_reported():
    with pytest.raises(ManifestError):
        dotnet.parse("a.csproj", b"<Solution/>")
