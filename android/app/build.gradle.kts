// The Televisit Android app. Before the first build, from the repository root:
//   cargo xtask android    (the native libraries into src/main/jniLibs, aligned for 16 KB pages
//                           and checked; the Kotlin bindings into src/generated/kotlin, a
//                           git-ignored source folder that `gradle clean` keeps)
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
        ndk {
            // The ABIs `cargo xtask android` builds. JNA's AAR also ships x86 and others; without
            // this filter a device of those would install the app and fail to load our library.
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
            // Kept for when minify is turned on: JNA and the generated bindings work by reflection.
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDir("src/generated/kotlin")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        unitTests.isIncludeAndroidResources = true
    }

    packaging {
        // Stored uncompressed and page-aligned in the APK (loaded in place, 16 KB pages).
        jniLibs.useLegacyPackaging = false
    }
}

// Java 17 bytecode from whatever JDK runs Gradle (Android Studio's bundled one will do): no
// toolchain line, which would make Gradle look for, or download, a JDK 17 of its own.
kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
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
