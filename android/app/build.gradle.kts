// The Televisit Android app. Before the first build, from the repository root:
//   cargo xtask android    (the native libraries into src/main/jniLibs, the Kotlin bindings
//                           into build/generated/televisit/kotlin)
// The app uses framework APIs only (no AndroidX), so that CI compiles all of it with kotlinc
// against the framework jar and runs src/test under Robolectric: `cargo xtask test android`.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.televisit.android"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.televisit.android"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDir("build/generated/televisit/kotlin")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        unitTests.isIncludeAndroidResources = true
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    // UniFFI's Kotlin calls the Rust library through JNA (the AAR carries its native parts).
    implementation("net.java.dev.jna:jna:5.17.0@aar")

    testImplementation("junit:junit:4.13.2")
    testImplementation("org.robolectric:robolectric:4.16.1")
    // On the JVM, the bindings load the host build of the library (cargo build -p televisit-ffi).
    testImplementation("net.java.dev.jna:jna:5.17.0")
}

tasks.withType<Test>().configureEach {
    systemProperty("jna.library.path", rootProject.file("../target/debug").path)
    systemProperty("televisit.bin", rootProject.file("../target/debug").path)
    systemProperty("televisit.android", rootProject.projectDir.path)
}
